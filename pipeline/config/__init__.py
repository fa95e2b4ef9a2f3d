"""The `config` stage of the pipeline."""
