terraform {
  required_providers {
    palette = {
      source = "terraform-palette/palette"
    }
  }
}

# Credentials usually come from the environment:
#   PALETTE_HOST, PALETTE_API_KEY, PALETTE_PROJECT_UID (or PALETTE_PROJECT_NAME).
provider "palette" {
  host         = "api.spectrocloud.com"
  project_name = "Default"
  # api_key    = var.palette_api_key # better: PALETTE_API_KEY
}
