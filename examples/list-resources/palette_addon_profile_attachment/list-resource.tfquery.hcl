# The add-on profiles attached to every imported cluster of the project.
list "palette_addon_profile_attachment" "all" {
  provider         = palette
  include_resource = true
  limit            = 1000 # Terraform's default: 100
}

# The clusters one add-on profile version is attached to.
list "palette_addon_profile_attachment" "monitoring" {
  provider = palette

  config {
    profile_id = "64f1c3d2a9b8e7f6a5b4c3d2"
  }
}
