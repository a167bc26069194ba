# Every Full Permission cluster labelled env = prod that is Running.
data "palette_imported_clusters" "prod" {
  import_mode = "full_permission"
  state       = "Running"
  labels = {
    env = "prod"
  }
}

# Attach the same add-on profile to each of them.
data "palette_cluster_profile" "monitoring" {
  name = "monitoring"
}

resource "palette_addon_profile_attachment" "monitoring" {
  for_each   = { for c in data.palette_imported_clusters.prod.clusters : c.name => c.id }
  cluster_id = each.value
  profile_id = data.palette_cluster_profile.monitoring.id
}
