# A platform team's infrastructure repository: every cluster the team runs is
# imported into Palette with the same baseline add-ons, plus its own.

terraform {
  required_version = ">= 1.11"
  required_providers {
    palette = {
      source = "terraform-palette/palette"
    }
  }
}

# PALETTE_HOST, PALETTE_API_KEY and PALETTE_PROJECT_UID come from the environment.
provider "palette" {}

variable "prod_eks_ca_certificate" {
  description = "PEM CA certificate of the production EKS cluster's API server."
  type        = string
  default     = ""
}

variable "kubeconfig" {
  description = "Kubeconfig with one context per cluster."
  type        = string
  default     = "~/.kube/config"
}

locals {
  baseline_addons = [
    {
      name    = "hello-addon"
      version = "1.0.0"
      values = {
        hello = yamlencode({ message = "managed by the platform team" })
      }
    },
  ]
}

module "edge_lab" {
  source = "../"

  name        = "edge-lab-1"
  cloud_type  = "generic"
  import_mode = "full_permission"
  labels      = { team = "platform", env = "lab" }

  kubernetes = {
    config_path    = var.kubeconfig
    config_context = "edge-lab-1"
  }

  addon_profiles = local.baseline_addons
}

module "prod_eks" {
  source = "../"

  name       = "prod-eks-eu"
  cloud_type = "aws"
  labels     = { team = "platform", env = "prod" }

  kubernetes = {
    host                   = "https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com"
    cluster_ca_certificate = var.prod_eks_ca_certificate
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", "prod-eks-eu"]
    }
  }

  addon_profiles = concat(local.baseline_addons, [
    { name = "observability", values = { "prometheus" = "retention: 15d\n" } },
  ])
}

output "clusters" {
  value = {
    edge_lab = { id = module.edge_lab.id, state = module.edge_lab.state, health = module.edge_lab.health, addons = module.edge_lab.attachments }
    prod_eks = { id = module.prod_eks.id, state = module.prod_eks.state, health = module.prod_eks.health, addons = module.prod_eks.attachments }
  }
}
