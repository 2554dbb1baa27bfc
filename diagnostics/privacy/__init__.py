"""What happens to what people type: masked before it is stored, removed when kept too long."""
