variable "eks_ca_certificate" {
  description = "PEM CA certificate of the EKS API server (e.g. from the aws provider's aws_eks_cluster)."
  type        = string
}

# Import an EKS cluster with full permission; the provider installs the agent
# with the same credentials kubectl would use (an exec plugin).
resource "palette_imported_cluster" "eks" {
  name        = "prod-eks-eu"
  cloud_type  = "aws"
  import_mode = "full_permission"
  description = "Production EKS cluster, eu-west-1."
  labels = {
    team = "platform"
    env  = "prod"
  }

  kubernetes = {
    host                   = "https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com"
    cluster_ca_certificate = var.eks_ca_certificate
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", "prod-eks-eu"]
    }
  }

  proxy = {
    https_proxy = "http://proxy.internal:3128"
    no_proxy    = "10.0.0.0/8,.svc,.cluster.local"
  }

  timeouts = {
    create = "20m"
  }
}

# Import a lab cluster read-only from a kubeconfig context; on destroy the
# agent removes itself and everything it installed (deregister, the default).
resource "palette_imported_cluster" "lab" {
  name        = "edge-lab-1"
  cloud_type  = "generic"
  import_mode = "read_only"

  kubernetes = {
    config_path    = "~/.kube/config"
    config_context = "edge-lab-1"
  }

  deletion_policy = "deregister"
}

# Register only: install the agent yourself (GitOps, air gap) with the
# command in import_command.
resource "palette_imported_cluster" "airgapped" {
  name     = "vault-dc2"
  wait_for = "none"
}

output "airgapped_install" {
  value     = palette_imported_cluster.airgapped.import_command
  sensitive = true
}
