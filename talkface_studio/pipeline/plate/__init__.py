"""Plate mode: a take rendered back into its whole source photo at the photo's own resolution
(`render --plate`). ``source`` loads the photo and cuts the head region, ``compose`` writes it into
the photo, ``performer_matte`` makes the alpha, ``job`` runs a frame range, ``output`` writes files."""
