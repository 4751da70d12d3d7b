"""Setting up a grantflow database: the reference data every environment needs (`grantflow setup`)."""
