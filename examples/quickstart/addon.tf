# Step 3 of the quickstart: attach an add-on profile, found by name, with a
# values override for its "hello" pack. Add-on profiles need full_permission.

data "palette_cluster_profile" "addon" {
  count = var.attach_addon ? 1 : 0
  name  = var.addon_profile
}

resource "palette_addon_profile_attachment" "addon" {
  count      = var.attach_addon ? 1 : 0
  cluster_id = palette_imported_cluster.this.id
  profile_id = data.palette_cluster_profile.addon[0].id

  values = {
    hello = yamlencode({
      message  = var.addon_message
      replicas = 2
    })
  }
}

output "addon_packs" {
  description = "Status of the add-on profile's packs (empty until it is attached)."
  value       = [for p in try(palette_addon_profile_attachment.addon[0].packs, []) : "${p.name}: ${p.state}"]
}

output "addon_text" {
  description = "The add-on's line of the summary."
  value       = try("add-on ${var.addon_profile} ${data.palette_cluster_profile.addon[0].version}: ${join(", ", [for p in palette_addon_profile_attachment.addon[0].packs : "${p.name} ${p.state}"])}", "add-on (not attached)")
}

output "addon_profile_id" {
  value = try(data.palette_cluster_profile.addon[0].id, null)
}
