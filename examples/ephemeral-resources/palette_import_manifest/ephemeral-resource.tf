# Terraform 1.10 or later: the agent manifest of a cluster registered
# without cluster access, opened for this run only (never in state or
# plan files), here handed to a GitOps repository through a write-only
# attribute of another provider.
resource "palette_imported_cluster" "edge" {
  name     = "edge-gitops"
  wait_for = "none"
}

ephemeral "palette_import_manifest" "edge" {
  cluster_id = palette_imported_cluster.edge.id
}

# For instance, a secret store's write-only value:
# resource "vault_kv_secret_v2" "edge_manifest" {
#   mount               = "gitops"
#   name                = "edge/palette-agent"
#   data_json_wo        = jsonencode({ manifest = ephemeral.palette_import_manifest.edge.manifest })
#   data_json_wo_version = 1
# }
