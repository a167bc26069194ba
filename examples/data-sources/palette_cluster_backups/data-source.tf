data "palette_cluster_backups" "lab" {
  cluster_id = palette_imported_cluster.lab.id
}

# The latest completed backup, for a restore.
locals {
  completed = [for b in data.palette_cluster_backups.lab.backups : b if b.state == "Completed"]
  latest    = length(local.completed) > 0 ? local.completed[length(local.completed) - 1] : null
}

output "latest_backup" {
  value = local.latest == null ? null : "${local.latest.name} (${local.latest.backup_time}, expires ${local.latest.expiry_time})"
}
