# An imported cluster by name (or by `id`). Secrets (the import command) and
# the kubeconfig are not exposed.
data "palette_imported_cluster" "lab" {
  name = "lab"
}

output "lab_state" {
  value = "${data.palette_imported_cluster.lab.state}/${data.palette_imported_cluster.lab.health}"
}
