"""Education (gwangju.education): an OX quiz walk about Gwangju and the district itself."""
