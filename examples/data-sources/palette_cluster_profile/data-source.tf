# The newest version of a profile, by semantic version.
data "palette_cluster_profile" "monitoring" {
  name = "monitoring"
}

# A given version.
data "palette_cluster_profile" "hello" {
  name    = "hello-addon"
  version = "1.0.0"
}

# By UID, e.g. when a project and a tenant profile share a name and version.
data "palette_cluster_profile" "by_id" {
  id = "65f0c1d2e3a4b5c6d7e8f9aa"
}

output "hello_packs" {
  value = [for p in data.palette_cluster_profile.hello.packs : "${p.name}:${p.tag}"]
}
