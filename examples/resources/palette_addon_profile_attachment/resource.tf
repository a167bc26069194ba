# Look the add-on profile up by name: the newest version when `version` is
# omitted. Only add-on profiles can be attached to imported clusters.
data "palette_cluster_profile" "hello" {
  name    = "hello-addon"
  version = "1.0.0"
}

# Import the cluster in Full Permission mode: add-on profiles need it.
resource "palette_imported_cluster" "lab" {
  name        = "lab"
  import_mode = "full_permission"

  kubernetes = {
    config_path    = "~/.kube/config"
    config_context = "lab"
  }
}

# Attach the profile with per-pack values overrides (YAML, merged over the
# pack's values in the profile by the provider, as Palette replaces a pack's
# whole values; compared by content, so re-formatting is no change).
# Create waits until the agent reports every pack Ready.
resource "palette_addon_profile_attachment" "hello" {
  cluster_id = palette_imported_cluster.lab.id
  profile_id = data.palette_cluster_profile.hello.id

  values = {
    hello = <<-EOT
      message: hello from Terraform
      replicas: 2
    EOT
  }

  # Values of the profile's variables go in `variables`, by name: only
  # variables the profile defines (hello-addon defines none, so any name
  # would fail the plan), e.g. variables = { environment = "lab" }.

  timeouts = {
    create = "10m"
    delete = "10m"
  }
}

# Moving to another version of the same profile (e.g. version = "1.1.0") is
# an in-place swap; a profile of another name replaces the attachment.
output "hello_packs" {
  value = palette_addon_profile_attachment.hello.packs
}
