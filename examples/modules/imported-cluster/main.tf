# Imports one existing Kubernetes cluster into Palette and attaches add-on
# profiles to it. Cluster access goes in; the cluster's Palette identity,
# state and attachments come out.

resource "palette_imported_cluster" "this" {
  name            = var.name
  cloud_type      = var.cloud_type
  import_mode     = var.import_mode
  description     = var.description
  labels          = var.labels
  deletion_policy = var.deletion_policy

  kubernetes = var.kubernetes == null ? null : {
    config_path            = var.kubernetes.config_path
    config_context         = var.kubernetes.config_context
    host                   = var.kubernetes.host
    cluster_ca_certificate = var.kubernetes.cluster_ca_certificate
    exec                   = var.kubernetes.exec
    token_wo               = var.kubernetes_token
    client_certificate     = var.kubernetes.client_certificate
    client_key_wo          = var.kubernetes_client_key
  }

  # Write-only: never stored; kubeconfig_wo_version tells a new one apart.
  kubeconfig_wo         = var.kubeconfig_wo
  kubeconfig_wo_version = var.kubeconfig_wo_version

  lifecycle {
    precondition {
      condition     = length(var.addon_profiles) == 0 || var.import_mode == "full_permission"
      error_message = "Add-on profiles need import_mode = \"full_permission\" (a Palette rule)."
    }
  }
}

data "palette_cluster_profile" "addon" {
  for_each = { for p in var.addon_profiles : p.name => p }

  name    = each.value.name
  version = each.value.version
}

resource "palette_addon_profile_attachment" "addon" {
  for_each = { for p in var.addon_profiles : p.name => p }

  cluster_id = palette_imported_cluster.this.id
  profile_id = data.palette_cluster_profile.addon[each.key].id
  values     = length(each.value.values) > 0 ? each.value.values : null
}
