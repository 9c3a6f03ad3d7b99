"""The bureau-ready package of a filing: each bureau's rules (data), fitting a material into them,
the cover sheet and the zip."""
