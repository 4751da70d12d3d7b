"""Unit tests need neither Flask nor a database (the project is installed editable by `make install`)."""
