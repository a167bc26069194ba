# Terraform 1.5 or later: bring a cluster that is already imported into
# Palette under Terraform's management with an import block.
import {
  to = palette_imported_cluster.example
  id = "65f0c1d2e3a4b5c6d7e8f901"
}

resource "palette_imported_cluster" "example" {
  name        = "edge-lab-1"
  cloud_type  = "generic"
  import_mode = "full_permission"

  kubernetes = {
    config_path = "~/.kube/config"
  }
}
