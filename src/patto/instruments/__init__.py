"""The work instruments: the safeguard table's crisis cases, job-inclusion pathways, the
inclusive-companies register, good-employment agreements and enterprise advice."""
