# The quickstart that `make demo` runs in three applies:
#
#   1. import the cluster read-only:
#        terraform apply -var import_mode=read_only
#   2. migrate it to full permission (in place):
#        terraform apply -var import_mode=full_permission
#   3. attach an add-on profile with a values override:
#        terraform apply -var import_mode=full_permission -var attach_addon=true
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

output "addon_packs" {
  description = "Status of the add-on profile's packs (empty until it is attached)."
  value       = [for p in try(palette_addon_profile_attachment.addon[0].packs, []) : "${p.name}: ${p.state}"]
}

output "addon_profile_id" {
  value = try(data.palette_cluster_profile.addon[0].id, null)
}
