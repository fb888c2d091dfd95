"""The report batch: which reports to make, running their notebooks and rendering them, locally or
on a Dask cluster, with a manifest of what was made."""
