variable "name" {
  description = "Name of the cluster in Palette (a DNS-1123 label)."
  type        = string
}

variable "cloud_type" {
  description = "aws, azure, gcp, vsphere, openshift, eks-anywhere or generic."
  type        = string
  default     = "generic"
}

variable "import_mode" {
  description = "full_permission (needed for add-on profiles) or read_only."
  type        = string
  default     = "full_permission"

  validation {
    condition     = contains(["full_permission", "read_only"], var.import_mode)
    error_message = "import_mode must be full_permission or read_only."
  }
}

variable "description" {
  description = "Description of the cluster in Palette."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels of the cluster in Palette."
  type        = map(string)
  default     = {}
}

variable "kubernetes" {
  description = <<-EOT
    How to reach the cluster: a kubeconfig file (config_path, config_context),
    or host + cluster_ca_certificate with an exec plugin (EKS, GKE, AKS),
    with the bearer token of var.kubernetes_token, or with client_certificate
    and the key of var.kubernetes_client_key. Null when the cluster is
    reached through var.kubeconfig_wo, or not at all (the agent is then
    installed from the import command, e.g. by GitOps).
  EOT
  type = object({
    config_path            = optional(string)
    config_context         = optional(string)
    host                   = optional(string)
    cluster_ca_certificate = optional(string)
    client_certificate     = optional(string)
    exec = optional(object({
      api_version = string
      command     = string
      args        = optional(list(string), [])
      env         = optional(map(string), {})
    }))
  })
  default = null

  validation {
    condition     = var.kubernetes == null || try(var.kubernetes.config_path != null || var.kubernetes.host != null, false)
    error_message = "Set kubernetes.config_path, or kubernetes.host (with cluster_ca_certificate and exec, or var.kubernetes_token)."
  }
}

variable "kubernetes_token" {
  description = <<-EOT
    Bearer token for kubernetes.host (write-only: never in state or plan).
    Ephemeral, so a token from another provider's ephemeral resource (e.g.
    a cloud provider's cluster auth) can be passed in.
  EOT
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "kubernetes_client_key" {
  description = <<-EOT
    PEM private key of kubernetes.client_certificate (write-only: never in
    state or plan), for certificate-based clusters such as kind. Ephemeral.
  EOT
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "kubeconfig_wo" {
  description = <<-EOT
    A whole kubeconfig (YAML) instead of var.kubernetes, write-only: for
    remote runs (HCP Terraform, CI) where no kubeconfig file exists. Bump
    var.kubeconfig_wo_version to have the provider use a new one.
  EOT
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "kubeconfig_wo_version" {
  description = "Version of var.kubeconfig_wo; set it (e.g. 1) whenever var.kubeconfig_wo is set."
  type        = number
  default     = null
}

variable "addon_profiles" {
  description = <<-EOT
    Add-on profiles to attach, by name and version (null: the newest), with
    values overrides by pack name (YAML strings). Needs full_permission.
  EOT
  type = list(object({
    name    = string
    version = optional(string)
    values  = optional(map(string), {})
  }))
  default = []

  validation {
    condition     = length(distinct([for p in var.addon_profiles : p.name])) == length(var.addon_profiles)
    error_message = "Each add-on profile may appear once."
  }
}

variable "deletion_policy" {
  description = "deregister (default), force or abandon."
  type        = string
  default     = "deregister"
}
