"""The `base` stage of the pipeline."""
