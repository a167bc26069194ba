output "namespace" {
  description = "Name of the namespace."
  value       = palette_cluster_namespace.this.name
}
