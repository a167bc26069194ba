# An imported cluster is imported into Terraform by its Palette UID. Cluster
# access (`kubernetes`) is not read back: set it in the configuration.
terraform import palette_imported_cluster.example 65f0c1d2e3a4b5c6d7e8f901
