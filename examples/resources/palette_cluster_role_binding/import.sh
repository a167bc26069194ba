# A role binding is imported with `<cluster_uid>:<name>` (entries of one
# binding only: Palette's UI may group several in one entry).
terraform import palette_cluster_role_binding.platform_admins 65f0c1d2e3a4b5c6d7e8f901:platform-admins
