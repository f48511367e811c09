"""The run and collect pipelines: event -> plan -> execute -> publish, with I/O passed in."""
