"""What the sat69b app tells the apps above it (they connect in their AppConfig.ready)."""

from django.dispatch import Signal

# Sent after an import committed (kwargs: sat69b_import, actor), outside its transaction. The
# customers app re-screens every customer against the new list and returns how many changed; the
# import records the sum (Sat69bImport.rescreened_changes).
sat69b_imported = Signal()
