# The namespaces Palette configures on one imported cluster.
list "palette_cluster_namespace" "team_cluster" {
  provider         = palette
  include_resource = true

  config {
    cluster_id = "5f2b0c9e8d7a6b5c4d3e2f1a"
  }
}
