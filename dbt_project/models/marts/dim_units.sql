with

units as (

    select * from {{ ref('stg_reference__units') }}

),

final as (

    select
        unit_code,
        unit_name,
        unit_kind,
        parent_code,
        valid_from,
        valid_to,
        {{ period_contains('units', as_of_date()) }} as is_current
    from units

)

select * from final
