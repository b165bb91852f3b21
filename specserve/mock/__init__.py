"""Mock mode: every operation answers from fixtures, the spec's examples or data generated from
its response schema, chosen by the request (see `selection`)."""
