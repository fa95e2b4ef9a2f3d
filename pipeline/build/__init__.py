"""The `build` stage of the pipeline."""
