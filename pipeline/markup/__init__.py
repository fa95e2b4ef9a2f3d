"""The `markup` stage of the pipeline."""
