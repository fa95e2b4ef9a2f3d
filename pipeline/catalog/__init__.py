"""The `catalog` stage of the pipeline."""
