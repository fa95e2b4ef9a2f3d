"""The `preview` stage of the pipeline."""
