"""The `cli` stage of the pipeline."""
