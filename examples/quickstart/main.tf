# The quickstart that `make demo` runs:
#
#   1. import the cluster read-only:
#        terraform apply -var import_mode=read_only
#   2. migrate it to full permission (in place):
#        terraform apply -var import_mode=full_permission
#   3. attach an add-on profile with a values override (addon.tf):
#        terraform apply -var import_mode=full_permission -var attach_addon=true
#   4. a team namespace with a quota and a role binding (day2.tf):
#        ... -var team_access=true
#   5. a CIS scan on demand, and a backup of the team's namespace restored
#      after its deletion (protect.tf; Terraform 1.14 or later: actions):
#        ... -var protect=true -var backup_endpoint=... (see protect.tf)
#        terraform apply -invoke=action.palette_cluster_compliance_scan.cis
#        terraform apply -invoke=action.palette_cluster_backup.team
#        terraform apply -invoke=action.palette_cluster_restore.team
#
# The provider reads PALETTE_HOST, PALETTE_API_KEY and PALETTE_PROJECT_UID
# from the environment (`source <palette-local data dir>/env` for the local
# import API).

terraform {
  required_version = ">= 1.5"
  required_providers {
    palette = {
      source = "terraform-palette/palette"
    }
  }
}

provider "palette" {}

variable "cluster_name" {
  description = "Name of the cluster in Palette."
  type        = string
  default     = "quickstart"
}

variable "cloud_type" {
  description = "Infrastructure provider of the cluster (generic fits any cluster)."
  type        = string
  default     = "aws"
}

variable "import_mode" {
  description = "read_only or full_permission."
  type        = string
  default     = "read_only"
}

variable "kubeconfig" {
  description = "Path of the target cluster's kubeconfig."
  type        = string
}

variable "kubeconfig_context" {
  description = "Context of the kubeconfig (null: its current context)."
  type        = string
  default     = null
}

variable "attach_addon" {
  description = "Attach the add-on profile (needs full_permission)."
  type        = bool
  default     = false
}

variable "addon_profile" {
  description = "Name of the add-on profile to attach."
  type        = string
  default     = "hello-addon"
}

variable "addon_message" {
  description = "Values override of the profile's hello pack."
  type        = string
  default     = "hello from terraform"
}

resource "palette_imported_cluster" "this" {
  name        = var.cluster_name
  cloud_type  = var.cloud_type
  import_mode = var.import_mode
  description = "Imported by the terraform-provider-palette quickstart."
  labels      = { env = "demo" }

  kubernetes = {
    config_path    = var.kubeconfig
    config_context = var.kubeconfig_context
  }
}

output "cluster_id" {
  value = palette_imported_cluster.this.id
}

output "summary" {
  value = {
    name           = palette_imported_cluster.this.name
    import_mode    = palette_imported_cluster.this.import_mode
    state          = palette_imported_cluster.this.state
    health         = palette_imported_cluster.this.health
    region         = palette_imported_cluster.this.region
    instance_types = palette_imported_cluster.this.instance_types
    node_count     = palette_imported_cluster.this.node_count
    agent_version  = palette_imported_cluster.this.agent_version
  }
}

output "summary_text" {
  description = "A few lines for humans (make demo prints them)."
  value       = <<-EOT
    cluster         ${palette_imported_cluster.this.name} (${palette_imported_cluster.this.id})
    import mode     ${palette_imported_cluster.this.import_mode}
    state / health  ${palette_imported_cluster.this.state} / ${palette_imported_cluster.this.health}
    cloud / region  ${palette_imported_cluster.this.cloud_type} / ${coalesce(palette_imported_cluster.this.region, "-")}
    instance types  ${palette_imported_cluster.this.instance_types == null ? "-" : join(", ", palette_imported_cluster.this.instance_types)}
    nodes / agent   ${coalesce(palette_imported_cluster.this.node_count, 0)} / ${coalesce(palette_imported_cluster.this.agent_version, "-")}
    agent installed ${coalesce(palette_imported_cluster.this.agent_installed, false)}
  EOT
}
