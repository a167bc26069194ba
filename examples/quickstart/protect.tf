# Step 5 of the quickstart: a CIS scan on demand, and a backup of the team's
# namespace to an S3-compatible bucket, restored after the namespace is
# deleted. Actions need Terraform 1.14 or later (OpenTofu has none: remove
# this file there). With -var protect=true (and the backup_* variables):
#
#   terraform apply                                              # the backup location
#   terraform apply -invoke=action.palette_cluster_compliance_scan.cis
#   terraform apply -invoke=action.palette_cluster_backup.team
#   terraform apply -invoke=action.palette_cluster_restore.team

variable "protect" {
  description = "Configure the backup location and read the scan report and backups (needs full_permission and team_access)."
  type        = bool
  default     = false
}

variable "backup_endpoint" {
  description = "URL of the S3-compatible server of the backup location."
  type        = string
  default     = null
}

variable "backup_bucket" {
  description = "Bucket of the backup location (it must exist)."
  type        = string
  default     = "palette-backups"
}

variable "backup_region" {
  description = "Region of the bucket."
  type        = string
  default     = "us-east-1"
}

variable "backup_access_key" {
  description = "Access key ID of the S3 server's credentials."
  type        = string
  default     = null
}

variable "backup_secret_key_file" {
  description = "File holding the secret key: it is sent as the write-only secret_key_wo, never stored in the plan or state."
  type        = string
  default     = null
}

variable "backup_name" {
  description = "Name of the on-demand backup of the team's namespace."
  type        = string
  default     = "demo-team-1"
}

resource "palette_backup_location" "demo" {
  count            = var.protect ? 1 : 0
  name             = "demo-s3"
  type             = "minio"
  bucket           = var.backup_bucket
  region           = var.backup_region
  endpoint         = var.backup_endpoint
  force_path_style = true

  access_key            = var.backup_access_key
  secret_key_wo         = file(var.backup_secret_key_file)
  secret_key_wo_version = 1
}

# kube-bench's CIS checks; failing checks only warn, so that the demo goes on.
action "palette_cluster_compliance_scan" "cis" {
  config {
    cluster_id          = palette_imported_cluster.this.id
    drivers             = ["kube_bench"]
    allow_failed_checks = true
    timeout             = "5m"
  }
}

action "palette_cluster_backup" "team" {
  config {
    cluster_id   = palette_imported_cluster.this.id
    location_id  = one(palette_backup_location.demo[*].id)
    backup_name  = var.backup_name
    expiry_hours = 24
    namespaces   = palette_cluster_namespace.team[*].name
    timeout      = "5m"
  }
}

data "palette_cluster_backups" "this" {
  count      = var.protect ? 1 : 0
  cluster_id = palette_imported_cluster.this.id
}

action "palette_cluster_restore" "team" {
  config {
    cluster_id         = palette_imported_cluster.this.id
    backup_name        = var.backup_name
    backup_request_uid = one([for b in try(data.palette_cluster_backups.this[0].backups, []) : b.request_uid if b.name == var.backup_name])
    namespaces         = palette_cluster_namespace.team[*].name
    timeout            = "5m"
  }
}

data "palette_cluster_compliance_scan_report" "this" {
  count      = var.protect ? 1 : 0
  cluster_id = palette_imported_cluster.this.id
}

locals {
  kube_bench = try(data.palette_cluster_compliance_scan_report.this[0].kube_bench, null)
}

output "cis_text" {
  description = "The latest kube-bench run in a few lines (make demo prints them)."
  value = local.kube_bench == null ? "CIS scan: none yet" : join("\n", concat(
    ["kube-bench (CIS Kubernetes Benchmark), ${local.kube_bench.state} at ${coalesce(local.kube_bench.end_time, "-")}: ${local.kube_bench.pass} passed, ${local.kube_bench.fail} failed, ${local.kube_bench.warn} warnings"],
    [for c in slice(local.kube_bench.failed_checks, 0, min(5, length(local.kube_bench.failed_checks))) : "  FAIL ${c.id} [${c.target}] ${c.description}"],
    length(local.kube_bench.failed_checks) > 5 ? ["  … and ${length(local.kube_bench.failed_checks) - 5} more failing checks"] : [],
  ))
}

output "backups_text" {
  description = "The cluster's backups, one a line."
  value = join("\n", [
    for b in try(data.palette_cluster_backups.this[0].backups, []) :
    "backup ${b.name} (${b.actor}): ${b.state}, taken ${coalesce(b.backup_time, "-")}, expires ${coalesce(b.expiry_time, "-")}, namespaces ${join(", ", b.namespaces)}"
  ])
}
