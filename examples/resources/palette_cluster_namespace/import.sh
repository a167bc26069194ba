# A namespace is imported with `<cluster_uid>:<namespace>`.
terraform import palette_cluster_namespace.team_a 65f0c1d2e3a4b5c6d7e8f901:team-a
