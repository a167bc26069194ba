# An attachment is imported with `<cluster_uid>:<profile_uid>`. Use it for a
# profile attached outside Terraform (or set adopt_existing = true).
terraform import palette_addon_profile_attachment.hello 65f0c1d2e3a4b5c6d7e8f901:65f0c1d2e3a4b5c6d7e8f9aa
