# A backup policy is imported with its cluster's UID.
terraform import palette_cluster_backup_policy.lab 65f0c1d2e3a4b5c6d7e8f901
