# Register a cluster without cluster access, and hand its import manifest to
# a GitOps tool instead: the agent is installed from Git.
resource "palette_imported_cluster" "edge" {
  name        = "edge-01"
  import_mode = "full_permission"
  wait_for    = "none"
}

data "palette_import_manifest" "edge" {
  cluster_id = palette_imported_cluster.edge.id
}

# The manifest carries the agent's credential: keep it out of plain files
# in Git (e.g. write it to a secret store, or seal it).
resource "local_sensitive_file" "edge_agent" {
  content  = data.palette_import_manifest.edge.manifest
  filename = "${path.module}/gitops/edge-01/palette-agent.yaml"
}
