# The role bindings Palette configures on one imported cluster (entries of
# one binding: those of several are left out with a warning).
list "palette_cluster_role_binding" "team_cluster" {
  provider         = palette
  include_resource = true

  config {
    cluster_id = "5f2b0c9e8d7a6b5c4d3e2f1a"
  }
}
