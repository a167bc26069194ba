output "id" {
  description = "UID of the imported cluster in Palette."
  value       = palette_imported_cluster.this.id
}

output "state" {
  description = "Palette's state of the cluster (Running once the agent registered)."
  value       = palette_imported_cluster.this.state
}

output "health" {
  description = "Health from the agent's heartbeats."
  value       = palette_imported_cluster.this.health
}

output "region" {
  description = "Region of the nodes."
  value       = palette_imported_cluster.this.region
}

output "instance_types" {
  description = "Instance types of the nodes."
  value       = palette_imported_cluster.this.instance_types
}

output "attachments" {
  description = "Attached add-on profiles by name: attachment id, profile version and pack status."
  value = {
    for name, a in palette_addon_profile_attachment.addon : name => {
      id      = a.id
      version = data.palette_cluster_profile.addon[name].version
      packs   = { for p in a.packs : p.name => p.state }
    }
  }
}
