"""Reports to the Police and Crime Panel: the committee report of a round and across rounds."""
