"""The `source` stage of the pipeline."""
