"""The code page as a coder's codebook: reference data replaced per version by its own import
(Tabular notes and 7th characters, PCS axis definitions) and the reads that put it on the page."""
