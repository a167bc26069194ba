# Terraform 1.5 or later: bring a profile attached outside Terraform under
# Terraform's management. The ID is `<cluster_uid>:<profile_uid>`.
import {
  to = palette_addon_profile_attachment.hello
  id = "65f0c1d2e3a4b5c6d7e8f901:65f0c1d2e3a4b5c6d7e8f9aa"
}

resource "palette_addon_profile_attachment" "hello" {
  cluster_id = "65f0c1d2e3a4b5c6d7e8f901"
  profile_id = "65f0c1d2e3a4b5c6d7e8f9aa"
}
