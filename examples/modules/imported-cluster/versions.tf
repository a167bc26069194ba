terraform {
  required_version = ">= 1.11" # write-only and ephemeral inputs
  required_providers {
    palette = {
      source = "terraform-palette/palette"
    }
  }
}
