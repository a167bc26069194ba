# A scan schedule is imported with its cluster's UID.
terraform import palette_cluster_compliance_scan_schedule.lab 65f0c1d2e3a4b5c6d7e8f901
