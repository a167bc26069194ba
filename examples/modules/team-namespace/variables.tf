variable "cluster_id" {
  description = "UID of the imported cluster (Full Permission)."
  type        = string
}

variable "name" {
  description = "Name of the team's namespace."
  type        = string
}

variable "cpu_cores" {
  description = "CPU cores of the namespace's quota."
  type        = number
  default     = 2
}

variable "memory_mib" {
  description = "Memory of the namespace's quota, in MiB."
  type        = number
  default     = 4096
}

variable "groups" {
  description = "Groups granted the role in the namespace."
  type        = list(string)
}

variable "role" {
  description = "ClusterRole granted in the namespace."
  type        = string
  default     = "edit"
}
