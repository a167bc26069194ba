# A location is imported with its UID; give secret_key_wo in the configuration.
terraform import palette_backup_location.minio 65f0c1d2e3a4b5c6d7e8f902
