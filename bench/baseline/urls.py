"""GET /items/: the 50 rows of the two-field model, through a DRF ListAPIView."""

from django.urls import path
from rest_framework import generics, serializers

from .models import Item


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name", "value"]


class ItemList(generics.ListAPIView):
    queryset = Item.objects.all()[:50]
    serializer_class = ItemSerializer


urlpatterns = [path("items/", ItemList.as_view())]
